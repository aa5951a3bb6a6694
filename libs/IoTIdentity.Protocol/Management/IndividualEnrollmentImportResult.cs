namespace IoTIdentity.Protocol.Management;

/// <summary>What became of one import row.</summary>
/// <param name="Row">The row's position in the request, from 1.</param>
/// <param name="DeviceId">The device id, given or derived from the EK certificate (null when neither could be read).</param>
/// <param name="Outcome"><c>enrolled</c>, or <c>refused</c>.</param>
/// <param name="Error">For a refused row, the error code (e.g. MalformedRequest, Conflict, NotFound).</param>
/// <param name="Detail">For a refused row, what is wrong with it.</param>
public sealed record IndividualEnrollmentImportResult(int Row, string? DeviceId, string Outcome, string? Error = null, string? Detail = null);
