import subprocess, sys, time, statistics
def t(cmd):
    s=time.perf_counter(); r=subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE); e=time.perf_counter()-s
    if r.returncode not in (0,1): raise SystemExit(" ".join(cmd)+": "+r.stderr.decode()[:300])
    return e*1000
bins={"base 3a2d680":"/tmp/aot-base/vstore","new":"/tmp/art-s7/aot/vstore"}
n=int(sys.argv[1]); size=sys.argv[2]
S=["--store","/tmp/vfc-new/store-%s" % size]
cmds={"--version":["--version"],"repos":S+["repos"],"log -n 10":S+["log","wf","main","-n","10"],
 "is-ancestor (negative)":S+["is-ancestor","wf","main","v1"],"channel":S+["channel","wf","prod"],
 "rollback --mode reset":S+["rollback","wf","--branch","rb","--to","rb~1","--reason","bench","--mode","reset"],
 "is-ancestor (whole history)":S+["is-ancestor","wf","v1","main"]}
res={(b,c):[] for b in bins for c in cmds}
for i in range(n):
    for c,a in cmds.items():
        order=list(bins.items()) if i%2==0 else list(reversed(list(bins.items())))
        for b,p in order: res[(b,c)].append(t([p]+a))
print("| command (%s commits; median / min of %d, alternating) | %s | new / base |" % (size, n-1, " | ".join(bins)))
print("|---|" + "---:|"*(len(bins)+1))
for c in cmds:
    m=[statistics.median(res[(b,c)][1:]) for b in bins]
    print("| `%s` | %s | %.2f |" % (c, " | ".join("%.1f / %.1f" % (statistics.median(res[(b,c)][1:]), min(res[(b,c)][1:])) for b in bins), m[1]/m[0]))
