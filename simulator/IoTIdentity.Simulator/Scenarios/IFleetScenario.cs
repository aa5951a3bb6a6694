namespace IoTIdentity.Simulator.Scenarios;

/// <summary>
/// A scenario the CLI offers as a command of its own (<c>iotid-sim {Name}</c>). Adding one is adding one class that
/// implements this (with a public parameterless constructor): <see cref="ScenarioCatalog"/> finds it, and the command
/// gets the fleet, target and report options every scenario has.
/// </summary>
public interface IFleetScenario
{
    /// <summary>The command name, e.g. <c>first-boot</c>.</summary>
    string Name { get; }

    /// <summary>One line for <c>--help</c>.</summary>
    string Description { get; }

    /// <summary>Runs the scenario against a target that already trusts the fleet; one report per phase, in order.</summary>
    Task<IReadOnlyList<Reporting.ScenarioReport>> RunAsync(ScenarioContext context, CancellationToken cancellationToken);

    /// <summary>Whether the scenario acts as the service administrator (creates tenants): a remote target then needs <c>--admin-key</c>.</summary>
    bool NeedsServiceAdministrator => false;

    /// <summary>Whether the scenario runs on emulated TPMs (<c>--tpm emulated</c>); one that drives a swtpm's commands itself does not.</summary>
    bool SupportsEmulatedTpm => true;

    /// <summary>Why the scenario cannot run on this machine (a privilege it needs), or null when it can; said before anything starts.</summary>
    string? Unavailable => null;

    /// <summary>Whether a report is the outcome this scenario wants (default: every device as expected, no errors).</summary>
    bool Passed(Reporting.ScenarioReport report) => report.Succeeded == report.Flows && report.Errors.Count == 0;
}
