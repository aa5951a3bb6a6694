namespace IoTIdentity.Fleet.Cli;

/// <summary>What <c>iotid</c> exits with, so scripts can tell a refusal from a typo from an outage.</summary>
public static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>The service refused (its problem's title, detail and reason are printed), or what was checked did not verify.</summary>
    public const int Refused = 1;

    /// <summary>The command line (or a file it names) is wrong; nothing was sent.</summary>
    public const int Usage = 2;

    /// <summary>The service could not be reached or did not answer as the API does.</summary>
    public const int ConnectionFailure = 3;
}
