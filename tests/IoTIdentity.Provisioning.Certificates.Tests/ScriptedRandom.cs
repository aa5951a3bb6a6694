using System.Security.Cryptography;

namespace IoTIdentity.Provisioning.Certificates.Tests;

/// <summary>A generator that hands out the given bytes in order, then repeats them (to force edge cases).</summary>
internal sealed class ScriptedRandom(params byte[] script) : RandomNumberGenerator
{
    private int _position;

    public override void GetBytes(byte[] data) => GetBytes(data.AsSpan());

    public override void GetBytes(byte[] data, int offset, int count) => GetBytes(data.AsSpan(offset, count));

    public override void GetBytes(Span<byte> data)
    {
        for (var i = 0; i < data.Length; i++) data[i] = script[_position++ % script.Length];
    }

    public override void GetNonZeroBytes(byte[] data) => throw new NotSupportedException();
}
