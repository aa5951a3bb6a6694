using System.Text;
using IoTIdentity.Attestation.EventLog;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Attestation.Tests.EventLog;

/// <summary>Small valid logs for the parser, replay and fuzz tests.</summary>
internal static class SampleLogs
{
    /// <summary>A boot chain of four components into PCRs 0, 4 and 9 in the SHA-1 and SHA-256 banks.</summary>
    public static byte[] Boot(params TpmAlgId[] banks)
    {
        var writer = new EventLogWriter(banks.Length == 0 ? [TpmAlgId.Sha1, TpmAlgId.Sha256] : banks);
        writer.AddMeasurement(0, TcgEventType.PostCode, "acme bootrom"u8, "bootrom"u8);
        writer.AddMeasurement(4, TcgEventType.Ipl, "acme bootloader v1"u8, Encoding.UTF8.GetBytes("bootloader"));
        writer.AddMeasurement(4, TcgEventType.Ipl, "acme kernel v1"u8, Encoding.UTF8.GetBytes("kernel"));
        writer.AddMeasurement(9, TcgEventType.EventTag, "acme rootfs manifest"u8, Encoding.UTF8.GetBytes("rootfs"));
        return writer.ToArray();
    }
}
