namespace IoTIdentity.Provisioning.Abstractions;

/// <summary>The roles an API key can hold.</summary>
public enum ApiRole
{
    /// <summary>Reads everything of the tenant, including audit; changes nothing.</summary>
    Auditor = 0,
    /// <summary>Manages enrolments and devices.</summary>
    Operator = 1,
    /// <summary>Everything, including API keys.</summary>
    OwnerAdmin = 2,
}
