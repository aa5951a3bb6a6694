namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>Reads an enum value as the API takes it: one of its names, in any case (never a number).</summary>
public static class EnumNames
{
    /// <summary>The value named <paramref name="name"/>; false for anything else (numbers, unknown names, null).</summary>
    public static bool TryRead<T>(string? name, out T value) where T : struct, Enum
    {
        value = default;
        return name is { Length: > 0 } && !char.IsAsciiDigit(name[0]) && name[0] != '-'
            && Enum.TryParse(name, ignoreCase: true, out value) && Enum.IsDefined(value);
    }

    /// <summary>Every name of <typeparamref name="T"/>, comma-separated (for error messages).</summary>
    public static string List<T>() where T : struct, Enum => string.Join(", ", Enum.GetNames<T>());
}
