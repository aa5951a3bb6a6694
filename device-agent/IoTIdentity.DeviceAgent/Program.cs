using IoTIdentity.DeviceAgent;

// iotid-agent: the device side of IoTIdentity (see device-agent/README.md).
return await AgentCli.InvokeAsync(args, IIdentityProgress.None);
