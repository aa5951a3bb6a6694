namespace IoTIdentity.Provisioning.Storage.Sqlite;

/// <summary>
/// The read connections: rented per read, returned afterwards, at most <c>maxIdle</c> kept open. WAL mode lets
/// any number of them read while the single writer commits. Our own pool (ADO pooling is off) so that closing the
/// store closes every connection to the file.
/// </summary>
internal sealed class SqliteSessionPool(Func<SqliteSession> open, int maxIdle) : IDisposable
{
    private readonly Stack<SqliteSession> _idle = new();
    private bool _disposed;

    public SqliteSession Rent()
    {
        lock (_idle)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_idle.TryPop(out var session))
            {
                return session;
            }
        }

        return open();
    }

    /// <summary>Returns a healthy session; one that failed should be disposed instead.</summary>
    public void Return(SqliteSession session)
    {
        lock (_idle)
        {
            if (!_disposed && _idle.Count < maxIdle)
            {
                _idle.Push(session);
                return;
            }
        }

        session.Dispose();
    }

    public void Dispose()
    {
        lock (_idle)
        {
            _disposed = true;
            while (_idle.TryPop(out var session))
            {
                session.Dispose();
            }
        }
    }
}
