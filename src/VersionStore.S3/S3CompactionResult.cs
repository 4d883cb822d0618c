namespace VersionStore.S3;

/// <summary>What one <see cref="S3PackObjectStore.CompactAsync"/> did.</summary>
/// <param name="PacksMerged">Small packs that were merged and then deleted.</param>
/// <param name="PacksWritten">New packs uploaded.</param>
/// <param name="ObjectsRewritten">Objects copied into new packs.</param>
/// <param name="BytesBefore">Size of the merged packs.</param>
/// <param name="BytesAfter">Size of the new packs.</param>
public sealed record S3CompactionResult(int PacksMerged, int PacksWritten, int ObjectsRewritten, long BytesBefore, long BytesAfter);
