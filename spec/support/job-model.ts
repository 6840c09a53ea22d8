import { col, defineEntity } from '../../src/index.js';

/** The rows of the distributed-job specs: `hits` counts how often a job's handler applied to the row. */
export const JobRow = defineEntity({
  name: 'JobRow',
  table: 'job_row',
  columns: {
    id: col.id(),
    hits: col.int({ default: 0 }),
    grp: col.int(),
  },
});

/** A composite-key entity, for the job planner's key decoding. */
export const JobPair = defineEntity({
  name: 'JobPair',
  table: 'job_pair',
  primaryKey: ['a', 'b'],
  columns: {
    a: col.int(),
    b: col.text({ maxLength: 20 }),
    hits: col.int({ default: 0 }),
  },
});
