using Microsoft.Data.Sqlite;

namespace IoTIdentity.Provisioning.Storage.Sqlite;

/// <summary>Maps SQLite's result codes to the store's exceptions, with a sentence an operator can act on.</summary>
internal static class SqliteErrors
{
    // Primary result codes, https://sqlite.org/rescode.html
    private const int Perm = 3;
    private const int Busy = 5;
    private const int Locked = 6;
    private const int NoMem = 7;
    private const int ReadOnly = 8;
    private const int IoErr = 10;
    private const int Corrupt = 11;
    private const int Full = 13;
    private const int CantOpen = 14;
    private const int Constraint = 19;
    private const int NotADb = 26;

    /// <summary>True for a UNIQUE or PRIMARY KEY violation (a lost conditional insert).</summary>
    public static bool IsConstraintViolation(SqliteException e) => e.SqliteErrorCode == Constraint;

    public static StoreUnavailableException Unavailable(SqliteException e, string path, string operation)
    {
        var why = e.SqliteErrorCode switch
        {
            Busy or Locked => "the database stayed locked by another connection beyond the busy timeout",
            IoErr => "the operating system reported an I/O error",
            Full => "the disk is full",
            CantOpen => "the file cannot be opened or created (check that the path is a file and its directory exists and is writable)",
            Corrupt or NotADb => "the file is not a valid SQLite database or is corrupt (restore it from a backup)",
            ReadOnly or Perm => "the database or its directory is read-only",
            NoMem => "SQLite ran out of memory",
            _ => "SQLite reported an unexpected error",
        };
        return new StoreUnavailableException(
            $"SQLite store '{path}' could not {operation}: {why} (SQLite error {e.SqliteErrorCode}/{e.SqliteExtendedErrorCode}: {e.Message}).",
            e);
    }
}
