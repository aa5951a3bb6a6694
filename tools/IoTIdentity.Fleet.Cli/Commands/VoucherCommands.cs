using System.CommandLine;
using IoTIdentity.Protocol.Management;

namespace IoTIdentity.Fleet.Cli.Commands;

/// <summary>
/// <c>iotid vouchers list|put|delete</c>: the tenant's ownership vouchers — a manufacturer-signed statement that a
/// device is the tenant's, which makes an unowned device resolve to it even when other tenants trust its vendor
/// (docs/trust-model.md).
/// </summary>
internal static class VoucherCommands
{
    public static Command Build(CliContext cli)
    {
        var vouchers = new Command("vouchers", "Ownership vouchers: prove with the manufacturer's signature that a device is the tenant's");

        var paging = new Paging();
        vouchers.Add(cli.Runs(paging.AddTo(new Command("list", "List the tenant's accepted vouchers (one page; --all for every page)")), (parse, client, output, ct) =>
            paging.ShowAsync(parse, output, (size, token) => client.ListOwnershipVouchersAsync(size, token, ct),
                ["DEVICE", "ACCEPTED"], v => [v.DeviceId, CliOutput.Time(v.AcceptedAt)], "vouchers", ct)));

        var deviceId = new Argument<string>("deviceId") { Description = "The device the voucher covers (its whole id: the device may not be the tenant's yet)" };
        var file = new Argument<string>("file") { Description = "The voucher as JSON: {deviceId, ownerKeySha256, signature, signerChainPem}" };
        vouchers.Add(cli.Runs(new Command("put", "Upload a voucher; it is verified against the roots the tenant trusts, and refused with the reason otherwise") { deviceId, file },
            async (parse, client, output, ct) =>
            {
                var voucher = CliFiles.ReadJson(parse.GetValue(file)!, "voucher", ManagementJson.Default.OwnershipVoucher);
                var id = parse.GetValue(deviceId)!;
                return output.Done(await client.PutOwnershipVoucherAsync(id, voucher, ct), $"voucher for device {id} accepted");
            }));

        var deleteId = new Argument<string>("deviceId") { Description = "The device whose voucher claim to remove" };
        vouchers.Add(cli.Runs(new Command("delete", "Remove the tenant's voucher claim on a device") { deleteId }, async (parse, client, output, ct) =>
        {
            var id = parse.GetValue(deleteId)!;
            return output.Done(await client.DeleteOwnershipVoucherAsync(id, ct), $"voucher for device {id} removed");
        }));
        return vouchers;
    }
}
