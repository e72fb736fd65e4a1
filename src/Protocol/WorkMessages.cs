namespace SweepCluster.Protocol;

// The conversation between a node and the coordinator. A node registers (challenge, then proof of the sweep's
// secret), pulls trials as slots free up, and resends its results until they are acknowledged; the coordinator
// hands out leases and acknowledges only results that are durable. Everything is batched: one message carries
// as many trials, results or acknowledgements as are ready.

/// <summary>A node's first word to a coordinator; answered with a RegistrationChallenge.</summary>
public sealed record NodeHello(NodeId Node, string Host, int Slots) : IWireMessage;

/// <summary>A fresh random nonce the node must sign with the sweep's secret.</summary>
public sealed record RegistrationChallenge(string Nonce) : IWireMessage;

/// <summary>
/// Proof = hex HMAC-SHA256(secret, nonce + "\n" + node id); empty when the sweep has no secret. Incarnation is one per
/// node process: a node that rejoins with a fresh ActorSystem keeps it (its trials still run), a process started again
/// under the same node id has a new one (the old process's trials died with it).
/// </summary>
public sealed record RegisterNode(NodeId Node, string Host, int Slots, string Nonce, string Proof, string Incarnation = "") : IWireMessage;

/// <summary>The node is registered for this sweep: it may now ask for trials and deliver results.</summary>
public sealed record NodeWelcome(SweepId Sweep) : IWireMessage;

/// <summary>Registration refused (wrong or missing secret), or a message from a node that is not registered.</summary>
public sealed record NodeRejected(string Reason) : IWireMessage;

/// <summary>A node has Count free slots.</summary>
public sealed record TrialsWanted(NodeId Node, int Count) : IWireMessage;

/// <summary>A trial handed to one node for one attempt (1 on first delivery).</summary>
public sealed record Lease(TrialSpec Trial, int Attempt);

/// <summary>Up to as many leases as the node asked for; an empty batch means nothing is pending now.</summary>
public sealed record TrialsGranted(IReadOnlyList<Lease> Leases) : IWireMessage;

/// <summary>Finished trials; a node sends each again until it is acknowledged.</summary>
public sealed record ResultsReady(NodeId Node, IReadOnlyList<TrialResult> Results) : IWireMessage;

/// <summary>These trials' results are durable (or were already recorded): the node forgets them.</summary>
public sealed record ResultsAcknowledged(IReadOnlyList<TrialId> Trials) : IWireMessage;

/// <summary>A node that stops hands back the trials it will not finish, so they run elsewhere at once.</summary>
public sealed record TrialsReturned(NodeId Node, IReadOnlyList<TrialId> Trials) : IWireMessage;

/// <summary>The coordinator took the returned trials back (Count of them were still this node's leases).</summary>
public sealed record TrialsTakenBack(int Count) : IWireMessage;

/// <summary>`sweep status --coordinator`: which nodes are registered, as of their last heartbeat.</summary>
public sealed record NodesQuery(string Nonce, string Proof) : IWireMessage;

public sealed record NodesReport(IReadOnlyList<NodeHeartbeat> Nodes) : IWireMessage;
