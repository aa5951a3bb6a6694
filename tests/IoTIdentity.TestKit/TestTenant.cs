namespace IoTIdentity.TestKit;

/// <summary>A tenant created for a test.</summary>
public sealed record TestTenant(string TenantId, string AdminKey, ServiceFixture Service)
{
    public HttpClient Http => Service.ClientFor(AdminKey);
}
