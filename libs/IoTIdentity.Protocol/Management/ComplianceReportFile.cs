namespace IoTIdentity.Protocol.Management;

/// <summary>A compliance report as the service sent it (<c>GET /api/v1/reports/compliance</c>).</summary>
/// <param name="Content">The document's bytes: HTML, PDF, JSON or CSV.</param>
/// <param name="ContentType">Its media type, as sent.</param>
/// <param name="Digest">The report's content digest (lowercase hex SHA-256 of its JSON data), as every format prints it.</param>
public sealed record ComplianceReportFile(byte[] Content, string? ContentType, string? Digest);
