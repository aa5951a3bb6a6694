#!/usr/bin/env python3
# Ranks a `perf script -F comm,tid,period,ip,sym,dso` dump of the service by the innermost category of each sample
# (BENCHMARKS.md, "Service levers", session 9). Usage: perf-categories.py script.txt
import sys,re,collections
from perfscript import read_samples
# innermost classification: walk from leaf toward root; first frame matching a category wins
cats=[
 ('thread-pool spin/wait', r'LowLevelLifoSemaphore|LowLevelSpinWaiter|PortableThreadPool\+WorkerThread'),
 ('monitoring detectors/findings', r'Provisioning\.Grains\.Monitoring'),
 ('EK cert validation', r'EkCertificateValidator|EkIssuerPath'),
 ('attestation verifiers', r'IoTIdentity\.Attestation'),
 ('cert issuance (BouncyCastle, signer)', r'DeviceCertificateIssuer|CertificateSignerGrain|Org\.BouncyCastle'),
 ('sqlite', r'Sqlite|sqlite3'),
 ('orleans serializer', r'::.*(Serialize|Deserialize|DeepCopy|Copy)\b|OrleansCodeGen\.[^ ]*Codec|Orleans\.Serialization\.[^ ]*::'),
 ('GetGrain/interface type', r'GetGrainInterfaceType|GrainFactory::GetGrain|CustomAttribute'),
 ('TLS (SslStream)', r'System\.Net\.Security\.[^ ]*::'),
 ('crypto wrappers (.NET)', r'System\.Security\.Cryptography\.[^ ]*::'),
 ('MQTTnet', r'MQTTnet\.[^ ]*::'),
 ('our service code', r'\[(iotid-service|IoTIdentity\.[\w\.]+)\] IoTIdentity'),
 ('json', r'System\.Text\.Json'),
 ('sockets', r'System\.Net\.Sockets'),
 ('orleans runtime', r'\[Orleans[\w\.]*\] Orleans'),
 ('collections/linq', r'System\.Collections|System\.Linq'),
 ('tasks/async machinery', r'System\.Threading'),
]
comp=[(n,re.compile(p)) for n,p in cats]
samples=read_samples(sys.argv[1])
N=len(samples);c=collections.Counter();sub=collections.defaultdict(collections.Counter)
for fr in samples:
    leafdso=fr[0][1] if fr else '?'
    tag={'libcrypto.so.3':'libcrypto','libssl.so.3':'libssl','[kernel.kallsyms]':'kernel','libcoreclr.so':'coreclr','libc.so.6':'libc','libe_sqlite3.so':'sqlite'}.get(leafdso,'')
    got=None
    for s,d in fr:
        for n,r in comp:
            if r.search(s): got=n;break
        if got: break
    if got is None: got=(tag or leafdso)+', no managed caller'
    c[got]+=1; sub[got][tag or 'managed']+=1
for k,v in c.most_common(): print(f'{v*100/N:6.1f}%  {k:45} '+', '.join(f'{d} {x*100/N:.1f}' for d,x in sub[k].most_common(4)))
