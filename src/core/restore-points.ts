/**
 * Domain types of what EM knows about backups' restore points: VM restore points (`type=VmRestorePoint`, one VM
 * in one backup run) and restore points (`type=RestorePoint`, one backup run of a backup, named after its job).
 *
 * A VM restore point does not name its job: its `Up` links are the backup server, the restore point and the
 * backup file (get_vmrestorepoints_id). The restore point's `Up` BackupReference names the backup, which Veeam
 * names after the job that writes it, so the job of a VM restore point is read through its restore point.
 */

/** One VM in one restore point of a backup. */
export interface VmRestorePoint {
  uid: string;
  id: string;
  /** `<vm>@<yyyy-MM-dd HH:mm:ss>`; never parsed for a date (CreationTimeUTC is the date) */
  name: string;
  vmDisplayName: string;
  /** when the point was made (UTC) */
  creationTime: Date;
  algorithm: string | null;
  pointType: string | null;
  /** `urn:veeam:RestorePoint:<id>` of the `Up` RestorePointReference link; null when absent */
  restorePointUid: string | null;
  backupServerName: string | null;
}

/** One restore point of a backup (one backup run). */
export interface RestorePoint {
  uid: string;
  id: string;
  name: string;
  /** the backup it belongs to (named after its job; the `Up` BackupReference link); null when absent */
  backupName: string | null;
  backupServerName: string | null;
  creationTime: Date | null;
}
