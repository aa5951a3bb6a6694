namespace IoTIdentity.DeviceAgent.Enrollment;
