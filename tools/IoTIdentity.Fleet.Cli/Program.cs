using IoTIdentity.Fleet.Cli;

// iotid: the fleet manager's terminal tool for the IoTIdentity management API (docs/cli.md).
return await IotIdCli.RunAsync(args, CliConsole.Process());
