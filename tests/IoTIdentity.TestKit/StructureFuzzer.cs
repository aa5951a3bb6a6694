using System.Buffers.Binary;
using IoTIdentity.Tpm;
using IoTIdentity.Tpm.Marshalling;
using Xunit.Sdk;

namespace IoTIdentity.TestKit;

/// <summary>
/// Seeded corruption of marshalled TPM structures. Each mutated buffer must either parse to a structure that
/// re-marshals to exactly the same bytes, or be rejected with <see cref="TpmFormatException"/>; anything else
/// (another exception type, or a parse that does not preserve the bytes) fails with the seed, the iteration and
/// the mutated bytes, so the case can be replayed with <see cref="Mutate"/>.
/// </summary>
public static class StructureFuzzer
{
    /// <summary>The outcome of a run that found no failure.</summary>
    /// <param name="Parsed">Mutations that parsed and re-marshalled byte for byte.</param>
    /// <param name="Rejected">Mutations rejected with <see cref="TpmFormatException"/>.</param>
    public sealed record Report(int Parsed, int Rejected);

    /// <summary>
    /// Applies <paramref name="iterations"/> mutations of <paramref name="sample"/> and checks each one.
    /// <paramref name="parseAndRemarshal"/> parses a whole buffer and returns the re-marshalled bytes; build it
    /// with <see cref="ParseAndRemarshal{T}"/> for any <see cref="ITpmStructure{TSelf}"/>. The unmutated sample
    /// must itself round-trip.
    /// </summary>
    public static Report Run(byte[] sample, Func<byte[], byte[]> parseAndRemarshal, int iterations, int seed)
    {
        var original = parseAndRemarshal(sample);
        if (!original.AsSpan().SequenceEqual(sample))
            throw new XunitException($"the unmutated sample does not round-trip: {Convert.ToHexString(sample)}");

        int parsed = 0, rejected = 0;
        for (var i = 0; i < iterations; i++)
        {
            var (mutated, description) = Mutate(sample, seed, i);
            byte[] remarshalled;
            try
            {
                remarshalled = parseAndRemarshal(mutated);
            }
            catch (TpmFormatException)
            {
                rejected++;
                continue;
            }
            catch (Exception e)
            {
                throw new XunitException(Describe(seed, i, description, mutated, $"threw {e.GetType().Name}: {e.Message}"), e);
            }
            if (!remarshalled.AsSpan().SequenceEqual(mutated))
                throw new XunitException(Describe(seed, i, description, mutated,
                    $"parsed but re-marshalled to different bytes {Convert.ToHexString(remarshalled)}"));
            parsed++;
        }
        return new Report(parsed, rejected);
    }

    /// <summary>
    /// Parses a whole buffer as <typeparamref name="T"/> with <see cref="TpmMarshal.FromBytes{T}"/> and marshals the
    /// result. A structure that parses but then cannot be marshalled is a library bug, not a format error, so a
    /// <see cref="TpmFormatException"/> from the marshalling half is re-thrown as <see cref="InvalidOperationException"/>.
    /// </summary>
    public static byte[] ParseAndRemarshal<T>(byte[] bytes) where T : ITpmStructure<T>
    {
        var value = TpmMarshal.FromBytes<T>(bytes);
        try
        {
            return TpmMarshal.ToBytes(value);
        }
        catch (TpmFormatException e)
        {
            throw new InvalidOperationException($"{typeof(T).Name} parsed but could not be re-marshalled: {e.Message}", e);
        }
    }

    /// <summary>
    /// The mutation applied at <paramref name="iteration"/> of a run with <paramref name="seed"/>: one to three
    /// stacked edits (bit flip, byte set to 0x00/0xFF/random, truncation, extension with random bytes, insertion or
    /// deletion of a byte, a UINT16 or UINT32 field overwritten with a large or boundary value).
    /// </summary>
    public static (byte[] Bytes, string Description) Mutate(byte[] sample, int seed, int iteration)
    {
        var random = new Random(unchecked(seed * 1_000_003 + iteration));
        var bytes = sample.ToList();
        var edits = new List<string>();
        var count = random.Next(1, 4);
        for (var e = 0; e < count; e++) edits.Add(MutateOnce(bytes, random));
        return (bytes.ToArray(), string.Join("; ", edits));
    }

    private static string MutateOnce(List<byte> bytes, Random random)
    {
        if (bytes.Count == 0)
        {
            var extra = RandomBytes(random, random.Next(1, 17));
            bytes.AddRange(extra);
            return $"extend empty buffer with {extra.Length} bytes";
        }
        var at = random.Next(bytes.Count);
        switch (random.Next(10))
        {
            case 0:
            case 1:
                var bit = random.Next(8);
                bytes[at] ^= (byte)(1 << bit);
                return $"flip bit {bit} of byte {at}";
            case 2:
                bytes[at] = 0x00;
                return $"byte {at} = 00";
            case 3:
                bytes[at] = 0xFF;
                return $"byte {at} = FF";
            case 4:
                var value = (byte)random.Next(256);
                bytes[at] = value;
                return $"byte {at} = {value:X2}";
            case 5:
                var length = random.Next(bytes.Count);
                bytes.RemoveRange(length, bytes.Count - length);
                return $"truncate to {length}";
            case 6:
                var tail = RandomBytes(random, random.Next(1, 17));
                bytes.AddRange(tail);
                return $"extend with {Convert.ToHexString(tail)}";
            case 7:
                if (random.Next(2) == 0)
                {
                    bytes.RemoveAt(at);
                    return $"delete byte {at}";
                }
                var inserted = (byte)random.Next(256);
                bytes.Insert(at, inserted);
                return $"insert {inserted:X2} at {at}";
            case 8:
                if (bytes.Count < 2) goto case 0;
                at = random.Next(bytes.Count - 1);
                var remaining = bytes.Count - at - 2;
                ushort[] sizes = [0xFFFF, 0x8000, 0x0400, 0x0401, 0x0200, 0x0201, 0x0040, 0x0041, 0x0042, 0x0043,
                    (ushort)Math.Min(remaining + 1, 0xFFFF), (ushort)Math.Max(remaining - 1, 0), 0, (ushort)random.Next(0x10000)];
                var size = sizes[random.Next(sizes.Length)];
                Span<byte> u16 = stackalloc byte[2];
                BinaryPrimitives.WriteUInt16BigEndian(u16, size);
                bytes[at] = u16[0];
                bytes[at + 1] = u16[1];
                return $"UINT16 at {at} = {size:X4}";
            default:
                if (bytes.Count < 4) goto case 0;
                at = random.Next(bytes.Count - 3);
                uint[] counts = [0xFFFFFFFF, 0x80000000, 0x7FFFFFFF, 0x00010000, 1025, 1024, 65, 64, 9, 8, 0, (uint)random.Next()];
                var word = counts[random.Next(counts.Length)];
                Span<byte> u32 = stackalloc byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(u32, word);
                for (var k = 0; k < 4; k++) bytes[at + k] = u32[k];
                return $"UINT32 at {at} = {word:X8}";
        }
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Describe(int seed, int iteration, string mutation, byte[] mutated, string problem) =>
        $"seed {seed}, iteration {iteration} ({mutation}): {problem}. Mutated bytes: {Convert.ToHexString(mutated)}. " +
        $"Replay with StructureFuzzer.Mutate(sample, {seed}, {iteration}).";
}
