#!/usr/bin/env python3
# For the samples of a `perf script` dump whose stack holds a frame matching PATTERN: what runs just below it.
# Usage: perf-under.py script.txt PATTERN [depth]
import sys, re, collections
from perfscript import read_samples
pat=re.compile(sys.argv[2]); depth=int(sys.argv[3]) if len(sys.argv)>3 else 1
samples=read_samples(sys.argv[1])
N=len(samples); hit=0; below=collections.Counter()
def short(s):
    m=re.search(r'\] ([\w\.`<>\+\[\],]+::[\w\.<>`]+)',s); return (m.group(1) if m else s)[:140]
for fr in samples:
    idx=[i for i,(s,d) in enumerate(fr) if pat.search(s)]
    if not idx: continue
    hit+=1; i=min(idx)  # innermost match
    j=i-depth
    # skip generic frames
    while j>0 and re.search(r'ExecutionContext|AsyncMethodBuilderCore::Start|AsyncStateMachineBox|TaskAwaiter|ValueTaskAwaiter|stub ',fr[j][0]): j-=1
    key=short(fr[j][0]) if j>=0 else '(self)'
    if 'perf-' not in fr[j][1]: key=fr[j][1]+' '+key[:60]
    below[key]+=1
print(f'{hit} of {N} samples ({hit*100/N:.1f}%) contain {sys.argv[2]}')
for k,v in below.most_common(25): print(f'{v*100/N:6.2f}% {k}')
