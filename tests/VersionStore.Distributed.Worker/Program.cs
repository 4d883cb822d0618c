// One "application process" of the multi-process test. Usage:
//   commit <redis> <s3-endpoint> <bucket> <s3-prefix> <redis-key-prefix> <data-dir> <repo> <branch> <count> <worker-id>
// Prints "ACK <commit id>" per acknowledged commit, then "DONE"; then, for each stdin line "head", prints
// "HEAD <id>" as read from Redis; exits on end of input.
using VersionStore;

if (args.Length != 11 || args[0] != "commit")
{
    Console.Error.WriteLine("usage: commit <redis> <s3-endpoint> <bucket> <s3-prefix> <redis-key-prefix> <data-dir> <repo> <branch> <count> <worker-id>");
    return 2;
}
var (redis, s3, bucket, s3Prefix, keyPrefix, dataDir, repoName, branch) = (args[1], args[2], args[3], args[4], args[5], args[6], args[7], args[8]);
var count = int.Parse(args[9], System.Globalization.CultureInfo.InvariantCulture);
var worker = args[10];

await using var host = await new VersionStoreBuilder()
    .UseRedis(o => { o.Configuration = redis; o.KeyPrefix = keyPrefix; })
    .UseS3(o =>
    {
        o.ServiceUrl = s3;
        o.BucketName = bucket;
        o.Prefix = s3Prefix;
        o.ForcePathStyle = o.S3CompatibleMode = o.CreateBucketIfMissing = true;
        o.AccessKey = o.SecretKey = "S3RVER";
    })
    .UseRocksDb(dataDir)
    .UseMemoryCache()
    .BuildAsync();
var repo = host.GetRepository(repoName);
for (var i = 0; i < count; i++)
{
    var changes = new SnapshotChanges().Put($"workers/{worker}/step-{i:D3}", System.Text.Encoding.UTF8.GetBytes($"{{\"worker\":\"{worker}\",\"step\":{i}}}"));
    for (var attempt = 0; ; attempt++)
    {
        try
        {
            var result = await repo.CommitAsync(branch, changes, new CommitOptions { Author = worker, Message = $"{worker} step {i}" });
            Console.WriteLine($"ACK {result.Id}");
            break;
        }
        catch (RefConflictException) when (attempt < 50)
        {
            // auto-rebase gave up under heavy contention: try again from the new head
        }
    }
}
Console.WriteLine("DONE");
while (Console.ReadLine() is { } line)
{
    if (line.Trim() != "head") continue;
    var state = await host.Refs.TryGetRefAsync(repo.Name, RefName.Branch(branch));
    Console.WriteLine($"HEAD {state?.Target}");
}
return 0;
