namespace IoTIdentity.Protocol.Management;

/// <summary>The body of <c>POST /api/v1/individual-enrollments/import</c>.</summary>
/// <param name="Rows">The enrolments to create or replace, at most 1000; each row succeeds or fails on its own.</param>
/// <param name="GroupId">The group of rows that name none.</param>
public sealed record IndividualEnrollmentImport(IReadOnlyList<IndividualEnrollmentImportRow> Rows, string? GroupId = null);
