/** What a connection taken from a replica carries: whether a commit this process knows of may be missing from it. */
export interface ReplicaMark {
  /** The replica's URL without its password (for logs and errors). */
  readonly replica: string;
  /** True once the process learnt of a commit after the replica was chosen (the replica may not have it). */
  behind(): boolean;
}
