using System.Security.Cryptography;

namespace IoTIdentity.Attestation.Ek;

/// <summary>
/// Issuer paths verified once, found again by the SHA-256 of what they were verified from: the issuer name the EK
/// certificate gave, then every intermediate supplied with it, in order, each length-prefixed — so a hit needs the
/// intermediates neither loaded nor searched, and the same inputs always find the same issuer. Bounded: at capacity the oldest entry leaves, so
/// a peer sending ever new intermediates costs a verification each time but never memory. Only successful
/// verifications are kept, and one kind of refusal: an issuer name that no trusted root or supplied intermediate could
/// answer to (see <see cref="KeepUnreachable"/>), kept under the same key and bound. Any other refusal is worked out
/// again on every call. Thread-safe.
/// </summary>
internal sealed class EkIssuerCache(int capacity)
{
    private readonly Lock _lock = new();
    private readonly Bounded<EkIssuerPath> _paths = new(capacity);
    private readonly Bounded<bool> _unreachable = new(capacity);

    /// <summary>How many paths are kept now.</summary>
    public int Count
    {
        get
        {
            lock (_lock) return _paths.Count;
        }
    }

    /// <summary>The key of the issuer named <paramref name="issuerName"/> (DER) found with <paramref name="intermediates"/>.</summary>
    public static PathKey KeyOf(byte[] issuerName, IReadOnlyList<byte[]> intermediates)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        Append(hash, issuerName, length);
        foreach (byte[] intermediate in intermediates)
            Append(hash, intermediate, length);
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return new PathKey(
            new UInt128(BitConverter.ToUInt64(digest[..8]), BitConverter.ToUInt64(digest[8..16])),
            new UInt128(BitConverter.ToUInt64(digest[16..24]), BitConverter.ToUInt64(digest[24..])));
    }

    /// <summary>The path verified under <paramref name="key"/>, if it is still kept.</summary>
    public EkIssuerPath? Find(PathKey key)
    {
        lock (_lock) return _paths.Find(key);
    }

    /// <summary>Keeps <paramref name="path"/>, letting the oldest entry go when the cache is full.</summary>
    public void Keep(PathKey key, EkIssuerPath path)
    {
        lock (_lock) _paths.Keep(key, path);
    }

    /// <summary>How many unreachable issuer names are kept now.</summary>
    public int UnreachableCount
    {
        get
        {
            lock (_lock) return _unreachable.Count;
        }
    }

    /// <summary>Whether the issuer name and intermediates under <paramref name="key"/> were found to reach no trusted root.</summary>
    public bool IsUnreachable(PathKey key)
    {
        lock (_lock) return _unreachable.Find(key);
    }

    /// <summary>
    /// Keeps <paramref name="key"/> as an issuer name with which no chain can reach a trusted root, whatever the
    /// certificate naming it: the caller found no root or intermediate whose subject could equal that name under
    /// any comparison a chain builder makes. Letting the oldest entry go when full, as <see cref="Keep"/>.
    /// </summary>
    public void KeepUnreachable(PathKey key)
    {
        lock (_lock) _unreachable.Keep(key, true);
    }

    private static void Append(IncrementalHash hash, byte[] der, Span<byte> length)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, der.Length);
        hash.AppendData(length);
        hash.AppendData(der);
    }

    /// <summary>A SHA-256 digest as two 128-bit halves: a dictionary key without a string.</summary>
    internal readonly record struct PathKey(UInt128 High, UInt128 Low);

    /// <summary>
    /// At most <paramref name="capacity"/> entries, the oldest leaving first (none kept when it is 0); the first value
    /// kept under a key stays. Not thread-safe: the cache locks around it.
    /// </summary>
    private sealed class Bounded<TValue>(int capacity)
    {
        private readonly Dictionary<PathKey, TValue> _entries = [];
        private readonly Queue<PathKey> _order = new();

        public int Count => _entries.Count;

        public TValue? Find(PathKey key) => _entries.GetValueOrDefault(key);

        public void Keep(PathKey key, TValue value)
        {
            if (capacity <= 0 || !_entries.TryAdd(key, value))
                return;
            _order.Enqueue(key);
            while (_entries.Count > capacity)
                _entries.Remove(_order.Dequeue());
        }
    }
}
