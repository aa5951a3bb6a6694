namespace IoTIdentity.TestKit;

/// <summary>Hex literals for expected wire bytes, written the way the spec tables and tpm2-tools dumps show them.</summary>
public static class Hex
{
    /// <summary>Parses hex digits, ignoring spaces, newlines, dashes and colons ("00 0B 03 83 00 00").</summary>
    public static byte[] Parse(string hex) =>
        Convert.FromHexString(new string(hex.Where(c => !char.IsWhiteSpace(c) && c is not ('-' or ':')).ToArray()));
}
