namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// Follows the framing of an MQTT connection's bytes as they arrive (one type byte, a remaining length of one
/// to four bytes, that many bytes of body); a declared remaining length over the limit ends the connection with a
/// <see cref="PacketTooLargeException"/> before the bytes that complete it reach the reader. MQTTnet allocates a
/// packet's whole body once it has read the length, so the check has to sit below it: a 256 MiB declaration costs
/// nothing but the few bytes already read. <c>oversized</c> is called once, as the connection is refused
/// (<see cref="GuardedChannel"/> runs every read through it).
/// </summary>
internal sealed class PacketLengthGuard(int maxRemainingLength, Action oversized)
{
    private const int MaxLengthBytes = 4;
    private State _state = State.Type;
    private long _length;
    private int _lengthBytes;
    private long _bodyLeft;

    private enum State
    {
        Type,
        Length,
        Body,
    }

    /// <summary>Advances the framing over <paramref name="bytes"/>; returns their count, or throws at an oversized length.</summary>
    public int Inspect(ReadOnlySpan<byte> bytes)
    {
        var i = 0;
        while (i < bytes.Length)
        {
            switch (_state)
            {
                case State.Type:
                    i++;
                    (_state, _length, _lengthBytes) = (State.Length, 0, 0);
                    break;
                case State.Length:
                    var b = bytes[i++];
                    _length |= (long)(b & 0x7F) << (7 * _lengthBytes);
                    _lengthBytes++;
                    if (_length > maxRemainingLength)
                    {
                        oversized();
                        throw new PacketTooLargeException(_length, maxRemainingLength);
                    }
                    if ((b & 0x80) == 0) (_state, _bodyLeft) = _length == 0 ? (State.Type, 0) : (State.Body, _length);
                    else if (_lengthBytes == MaxLengthBytes) throw new IOException("malformed MQTT remaining length");
                    break;
                default:
                    var skip = (int)Math.Min(_bodyLeft, bytes.Length - i);
                    i += skip;
                    _bodyLeft -= skip;
                    if (_bodyLeft == 0) _state = State.Type;
                    break;
            }
        }
        return bytes.Length;
    }
}
