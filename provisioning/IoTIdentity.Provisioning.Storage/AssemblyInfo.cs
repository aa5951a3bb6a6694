namespace IoTIdentity.Provisioning.Storage;
