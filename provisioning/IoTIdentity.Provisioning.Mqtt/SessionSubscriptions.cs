using System.Collections;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace IoTIdentity.Provisioning.Mqtt;

/// <summary>
/// What one device's session is subscribed to, kept beside MQTTnet's own subscriptions in the session's items, so that
/// a reply or a command goes to that one session instead of through MQTTnet's <c>InjectApplicationMessage</c>. That
/// dispatch copies the set of every subscribed session on the server and checks each one's subscriptions for every
/// message (dotnet/MQTTnet#2174): with 10,000 idle devices connected it was two thirds of the service's CPU, and a
/// reply's cost grew with the devices connected. The access gate admits subscriptions only under the device's own
/// <c>iotid/v1/{id}/</c>, so the session of client id <c>{id}</c> is the only one a message to that subtree can match.
/// </summary>
/// <remarks>
/// It follows MQTTnet's events: <see cref="Subscribing"/> sees each SUBSCRIBE packet (its subscription identifier),
/// <see cref="Subscribed"/> each filter MQTTnet added (raised before the SUBACK is sent, so a device that has its
/// SUBACK is already known here), <see cref="Unsubscribed"/> each filter it removed. All three run on the session's
/// receive loop, one packet after another; replies read from other threads, hence an array replaced whole (a volatile
/// reference), never changed in place. The gate never downgrades a subscription, so the QoS granted is the QoS asked.
/// A new session (clean start) has new items and starts with none.
/// </remarks>
internal sealed class SessionSubscriptions
{
    private const string Item = "iotid.subscriptions";

    private volatile Subscription[] _subscriptions = [];
    private uint _subscribingIdentifier; // the SUBSCRIBE being handled (receive loop only)

    private readonly record struct Subscription(string Filter, MqttQualityOfServiceLevel GrantedQos, uint Identifier);

    /// <summary>Where a message to a subscribed topic goes out: the highest QoS granted by any matching filter (never above the message's), and their identifiers.</summary>
    public readonly record struct Route(MqttQualityOfServiceLevel Qos, List<uint>? SubscriptionIdentifiers);

    /// <summary>A SUBSCRIBE packet arrived: the identifier (0: none) every filter it adds is given.</summary>
    public static void Subscribing(IDictionary? sessionItems, MqttSubscribePacket packet)
    {
        if (sessionItems is not null) Of(sessionItems, create: true)!._subscribingIdentifier = packet.SubscriptionIdentifier;
    }

    /// <summary>MQTTnet added (or replaced) a subscription to <paramref name="filter"/>.</summary>
    public static void Subscribed(IDictionary sessionItems, MqttTopicFilter filter)
    {
        var of = Of(sessionItems, create: true)!;
        of._subscriptions = [.. of._subscriptions.Where(s => s.Filter != filter.Topic), new Subscription(filter.Topic, filter.QualityOfServiceLevel, of._subscribingIdentifier)];
    }

    /// <summary>MQTTnet removed the subscription to <paramref name="filter"/>.</summary>
    public static void Unsubscribed(IDictionary sessionItems, string filter)
    {
        if (Of(sessionItems, create: false) is { } of) of._subscriptions = [.. of._subscriptions.Where(s => s.Filter != filter)];
    }

    /// <summary>
    /// How a message to <paramref name="topic"/> at <paramref name="qos"/> reaches the session, as MQTT 5 (§3.3.4)
    /// and MQTTnet's dispatch deliver it: one copy at the highest QoS granted among the matching filters, never above
    /// the message's, with every matching filter's subscription identifier. Null when no filter matches.
    /// </summary>
    public static Route? RouteOf(IDictionary sessionItems, string topic, MqttQualityOfServiceLevel qos)
    {
        if (Of(sessionItems, create: false) is not { } of) return null;
        var granted = -1;
        List<uint>? identifiers = null;
        foreach (var subscription in of._subscriptions)
        {
            if (MqttTopicFilterComparer.Compare(topic, subscription.Filter) != MqttTopicFilterCompareResult.IsMatch) continue;
            granted = Math.Max(granted, (int)subscription.GrantedQos);
            if (subscription.Identifier > 0 && !(identifiers ??= []).Contains(subscription.Identifier)) identifiers.Add(subscription.Identifier);
        }
        return granted < 0 ? null : new Route((MqttQualityOfServiceLevel)Math.Min(granted, (int)qos), identifiers);
    }

    private static SessionSubscriptions? Of(IDictionary sessionItems, bool create)
    {
        if (sessionItems[Item] is SessionSubscriptions existing) return existing;
        if (!create) return null;
        var added = new SessionSubscriptions();
        sessionItems[Item] = added;
        return added;
    }
}
