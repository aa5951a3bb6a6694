namespace IoTIdentity.Protocol.Management;

/// <summary>The answer of <c>POST /api/v1/individual-enrollments/import</c>: one result per row, in order, and the counts.</summary>
/// <param name="Enrolled">Rows enrolled.</param>
/// <param name="Refused">Rows refused (nothing was changed for them).</param>
/// <param name="Results">Every row's result.</param>
public sealed record IndividualEnrollmentImportReport(int Enrolled, int Refused, IReadOnlyList<IndividualEnrollmentImportResult> Results);
