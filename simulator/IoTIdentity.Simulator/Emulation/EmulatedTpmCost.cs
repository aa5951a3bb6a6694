using System.Security.Cryptography;
using IoTIdentity.Attestation.Credentials;
using IoTIdentity.Benchmarks;
using IoTIdentity.Simulator.Factory;
using IoTIdentity.Tpm.Keys;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;

namespace IoTIdentity.Simulator.Emulation;

/// <summary>
/// What the emulated TPM alone costs the generator per enrolment: the commands of one enrolment in the order the
/// agent sends them (SRK, AK create and load, EK, ActivateCredential, Quote of 8 PCRs, PCR read, device key create and
/// load, Certify, the CSR's Sign, flushes), on this thread's CPU clock. The service's MakeCredential between register
/// and activate is made with the clock stopped, and the AK and device key pairs before it starts, with the device, as
/// <c>capacity</c>'s devices make them before a step (<see cref="EmulatedTpm.PrepareKeys"/>). The rest of the
/// generator's CPU per enrolment is MQTT, TLS and JSON.
/// </summary>
public static class EmulatedTpmCost
{
    /// <summary>Median thread CPU µs of one enrolment's TPM commands over <paramref name="enrolments"/> fresh devices (after a warm-up).</summary>
    public static double MeasureMicroseconds(EkAlgorithm ek, int enrolments)
    {
        var selection = TpmlPcrSelection.Of(TpmAlgId.Sha256, 0, 1, 2, 3, 4, 5, 6, 7);
        var csrDigest = SHA256.HashData(new byte[300]);
        var samples = new List<double>();
        for (var i = 0; i < enrolments + 20; i++)
        {
            using var tpm = EmulatedTpm.Create(Fleet.Template(ek));
            tpm.PrepareKeys([KeyTemplates.AkEccP256, KeyTemplates.DeviceEccP256]); // as capacity's devices: made with the device
            var ct = CancellationToken.None;
            var start = CpuClock.Now();
            var srk = tpm.CreateSrkAsync(KeyTemplates.SrkEccP256, ct).Result;
            var ak = tpm.LoadAsync(srk.Handle, tpm.CreateAsync(srk.Handle, KeyTemplates.AkEccP256, ct).Result, ct).Result;
            var ekKey = tpm.CreateEkAsync(Fleet.Template(ek), ct).Result;
            var registered = CpuClock.Now();
            var credential = CredentialMaker.Make(ekKey.Public.Value, ak.Name, RandomNumberGenerator.Create());
            var nonce = RandomNumberGenerator.GetBytes(32);
            var challenged = CpuClock.Now();
            tpm.ActivateCredentialAsync(ak, ekKey, credential.CredentialBlob, credential.EncryptedSecret, ct).Wait();
            tpm.FlushAsync(ekKey.Handle, ct).Wait();
            tpm.QuoteAsync(ak, nonce, selection, ct).Wait();
            tpm.ReadPcrsAsync(selection, ct).Wait();
            var key = tpm.LoadAsync(srk.Handle, tpm.CreateAsync(srk.Handle, KeyTemplates.DeviceEccP256, ct).Result, ct).Result;
            tpm.CertifyAsync(key, ak, nonce, ct).Wait();
            tpm.SignDigestAsync(key, csrDigest, TpmAlgId.Sha256, ct).Wait();
            foreach (var handle in new[] { key.Handle, ak.Handle, srk.Handle }) tpm.FlushAsync(handle, ct).Wait();
            var done = CpuClock.Now();
            if (i >= 20) samples.Add(((registered - start) + (done - challenged)).TotalMicroseconds);
        }
        samples.Sort();
        return samples[samples.Count / 2];
    }
}
