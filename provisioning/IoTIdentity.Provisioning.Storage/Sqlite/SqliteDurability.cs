namespace IoTIdentity.Provisioning.Storage.Sqlite;

/// <summary>How hard a commit tries to reach the disk (SQLite's <c>synchronous</c> setting, in WAL mode).</summary>
public enum SqliteDurability
{
    /// <summary>
    /// <c>synchronous=NORMAL</c> (the default): a commit is appended to the write-ahead log without an fsync; the
    /// log is fsynced at checkpoints. A committed write survives the process crashing or being killed at any point.
    /// A power loss or OS crash may roll back the most recent commits (never corrupting the file, and always to a
    /// consistent earlier point across all tables). For this service that means a device may have to re-enrol;
    /// serials are 128 random bits, so forgetting one cannot cause a duplicate.
    /// </summary>
    Normal,

    /// <summary>
    /// <c>synchronous=FULL</c>: every commit fsyncs the write-ahead log, so commits also survive power loss, at the
    /// cost of one fsync per write (typically 10–100× slower writes on real disks).
    /// </summary>
    Full,
}
