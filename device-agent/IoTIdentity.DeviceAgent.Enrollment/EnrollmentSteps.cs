namespace IoTIdentity.DeviceAgent.Enrollment;

/// <summary>The names of the timed steps in <see cref="EnrollmentResult.StepDurations"/>.</summary>
public static class EnrollmentSteps
{
    /// <summary>Reading the EK certificate, deriving the SRK and EK, creating the AK (and, to renew, signing the proof).</summary>
    public const string Prepare = "prepare";
    /// <summary>The <c>register</c> round trip.</summary>
    public const string Register = "register";
    /// <summary>TPM2_ActivateCredential.</summary>
    public const string Activate = "activate";
    /// <summary>TPM2_Quote and reading the quoted PCRs.</summary>
    public const string Quote = "quote";
    /// <summary>Creating the device key and certifying it with the AK.</summary>
    public const string DeviceKey = "device-key";
    /// <summary>Building the CSR and signing it with the device key.</summary>
    public const string Csr = "csr";
    /// <summary>The <c>attest</c> round trip (the service's verification and issuance).</summary>
    public const string Attest = "attest";
    /// <summary>The whole enrolment.</summary>
    public const string Total = "total";
}
