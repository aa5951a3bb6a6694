using IoTIdentity.DeviceAgent;
using IoTIdentity.DeviceAgent.TestHost;

// iotid-agent-testhost --kill-at <checkpoint> <iotid-agent arguments>: the agent, killed with SIGKILL when an
// enrolment or a rotation reaches <checkpoint> (a power cut there). The power-loss tests launch it as the agent.
if (args is not ["--kill-at", var name, .. var agentArgs] || !Enum.TryParse<IdentityCheckpoint>(name, out var checkpoint))
{
    Console.Error.WriteLine($"usage: iotid-agent-testhost --kill-at {string.Join('|', Enum.GetNames<IdentityCheckpoint>())} <iotid-agent arguments>");
    return 2;
}
return await AgentCli.InvokeAsync(agentArgs, new KillAt(checkpoint));
