using System.CommandLine;

namespace IoTIdentity.Fleet.Cli.Commands;

// TODO(coordinator): delete this file and the <Compile Remove> line in the .csproj once h5b-transfer's
// libs/IoTIdentity.Protocol/Ownership (OwnershipDocument, OwnershipChainVerifier) is on main; OwnershipVerifyCommand.cs
// is the real command, written against that API.

/// <summary><c>iotid ownership verify</c> in a build without the ownership verifier: says so and exits 2.</summary>
internal static class OwnershipVerifyCommand
{
    public static Command Build(CliContext cli)
    {
        var verify = new OwnershipVerifyOptions().Command("Verify an ownership document offline (not available in this build)");
        verify.SetAction(_ =>
        {
            cli.Console.Error.WriteLine("ownership verify: not available in this build");
            return ExitCodes.Usage;
        });
        return verify;
    }
}
