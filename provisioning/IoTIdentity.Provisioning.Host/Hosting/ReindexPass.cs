namespace IoTIdentity.Provisioning.Host.Hosting;

/// <summary>One pass of <see cref="InventoryReindexer"/>: how many rows it wrote, and whether it reached the end.</summary>
internal sealed record ReindexPass(int Rewritten, bool Finished);
