// Allocation bounds are measured process-wide: run one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
