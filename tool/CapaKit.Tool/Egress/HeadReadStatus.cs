namespace CapaKit.Tool.Egress;

/// <summary>How reading an HTTP head (start line and headers) ended.</summary>
internal enum HeadReadStatus
{
    Complete,

    /// <summary>The peer closed before sending anything.</summary>
    Closed,

    /// <summary>The peer closed in the middle of the head.</summary>
    Truncated,

    /// <summary>The head exceeded the size limit.</summary>
    TooLarge,
}
