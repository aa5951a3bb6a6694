using System.Collections.Concurrent;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// Token buckets keyed by device id or source address: <c>capacity</c> tokens, refilled continuously at
/// <c>capacity / window</c>. A refused take says how long until a token is back. Buckets that refilled completely
/// are swept once the table grows, so a storm of one-off ids cannot grow it without bound.
/// </summary>
internal sealed class TokenBuckets(int capacity, TimeSpan window, TimeProvider time)
{
    private const int SweepThreshold = 10_000;
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly double _tokensPerTick = capacity / (double)Math.Max(1, window.Ticks);

    /// <summary>Takes one token for <paramref name="key"/>; false and the wait until the next token when empty.</summary>
    public bool TryTake(string key, out TimeSpan retryAfter)
    {
        var now = time.GetTimestamp();
        if (_buckets.Count > SweepThreshold) Sweep(now);
        var bucket = _buckets.GetOrAdd(key, static (_, state) => new Bucket(state.capacity, state.now), (capacity, now));
        lock (bucket)
        {
            Refill(bucket, now);
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                retryAfter = TimeSpan.Zero;
                return true;
            }
            retryAfter = TimeSpan.FromTicks((long)Math.Ceiling((1 - bucket.Tokens) / _tokensPerTick));
            return false;
        }
    }

    private void Refill(Bucket bucket, long now)
    {
        var elapsed = time.GetElapsedTime(bucket.Timestamp, now);
        bucket.Tokens = Math.Min(capacity, bucket.Tokens + elapsed.Ticks * _tokensPerTick);
        bucket.Timestamp = now;
    }

    private void Sweep(long now)
    {
        foreach (var (key, bucket) in _buckets)
        {
            lock (bucket)
            {
                Refill(bucket, now);
                if (bucket.Tokens >= capacity) _buckets.TryRemove(new KeyValuePair<string, Bucket>(key, bucket));
            }
        }
    }

    private sealed class Bucket(double tokens, long timestamp)
    {
        public double Tokens = tokens;
        public long Timestamp = timestamp;
    }
}
