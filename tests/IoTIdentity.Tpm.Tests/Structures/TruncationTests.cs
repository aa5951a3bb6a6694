namespace IoTIdentity.Tpm.Tests.Structures;

public class TruncationTests
{
    [Theory]
    [MemberData(nameof(StructureCatalogue.Names), MemberType = typeof(StructureCatalogue))]
    public void Every_strict_prefix_of_a_structure_is_a_format_error(string name)
    {
        var entry = StructureCatalogue.Entries[name];
        for (var length = 0; length < entry.Bytes.Length; length++)
        {
            var prefix = entry.Bytes[..length];
            try
            {
                entry.ParseAndRemarshal(prefix);
            }
            catch (TpmFormatException)
            {
                continue;
            }
            catch (Exception e)
            {
                Assert.Fail($"{name} truncated to {length} of {entry.Bytes.Length} bytes threw {e.GetType().Name}: {e.Message}");
            }
            Assert.Fail($"{name} truncated to {length} of {entry.Bytes.Length} bytes parsed");
        }
    }

    [Theory]
    [MemberData(nameof(StructureCatalogue.Names), MemberType = typeof(StructureCatalogue))]
    public void A_trailing_byte_after_a_whole_structure_is_a_format_error(string name)
    {
        var entry = StructureCatalogue.Entries[name];
        var message = Assert.Throws<TpmFormatException>(() => entry.ParseAndRemarshal([.. entry.Bytes, 0x00])).Message;
        Assert.Contains("trailing", message);
    }
}
