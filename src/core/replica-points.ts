/** Domain types of what EM knows about replicas: VM replica points (`type=VmReplicaPoint`) and replicas (`type=Replica`). */

/** One restore point of a replicated VM on the target host. */
export interface VmReplicaPoint {
  uid: string;
  id: string;
  /** `<vm>@<yyyy-MM-dd HH:mm:ss>`; never parsed for a date (CreationTimeUTC is the date) */
  name: string;
  vmDisplayName: string;
  /** when the point was made (UTC) */
  creationTime: Date;
  /** `Full`, `Incremental`, ...; null when EM leaves it out */
  algorithm: string | null;
  /** `Full`, `Snapshot`, ...; null when EM leaves it out */
  pointType: string | null;
  /** the replica it belongs to, named after its replication job (the `Up` ReplicaReference link); null when absent */
  jobName: string | null;
  replicaUid: string | null;
  backupServerName: string | null;
}

/** One replica (one per replication job). */
export interface Replica {
  uid: string;
  id: string;
  name: string;
  backupServerName: string | null;
  platform: string | null;
}
