#!/usr/bin/env python3
"""Where an XMPP -> Matrix message's time goes, from Synapse's access log (and, when present, the appliance's
temporary LATTRACE timing lines: deploy/bench/latency-trace.diff, not part of the product).

  deploy/bench/latency-trace.py <appliance.log> <synapse.log> <HH:MM:SS from> <HH:MM:SS to> <rate msg/s>

The window should hold one RoomKindsBench XMPP -> Matrix stream's measured part (ghost PUTs beside the Matrix-only
baseline's PUTs by the bench user). Synapse side, always: each PUT's processing time as Synapse logs it ("Processed
request"), the ghost's against the baseline user's, and the time from the PUT's response to the end of the receiver
(carol)'s next /sync. Appliance side, with LATTRACE lines: stanza read -> handler -> accepted (acceptance commit) ->
pipeline delivery -> MatrixClient.send -> Synapse's request start (its log time minus its processing time) -> end.
"""
import re,sys,bisect
al,sl,t0,t1,rate=sys.argv[1],sys.argv[2],sys.argv[3],sys.argv[4],float(sys.argv[5])
P=1000/rate
def ms(hms,frac):
    h,m,s=map(int,hms.split(':')); return ((h*60+m)*60+s)*1000+float('0.'+frac)*1000
ev={}
for line in open(al,errors='replace'):
    m=re.search(r'LATTRACE - (\S+) \d{4}-\d\d-\d\dT(\d\d:\d\d:\d\d)\.(\d+)Z',line)
    if m and t0<=m.group(2)<=t1: ev.setdefault(m.group(1),[]).append(ms(m.group(2),m.group(3)))
pat=re.compile(r'^\S+ (\d\d:\d\d:\d\d),(\d+) .*\{(@[^}]*)\} Processed request: ([\d.]+)sec/.* "(PUT|GET) (\S+)')
G=[];D=[];S=[]
for line in open(sl,errors='replace'):
    m=pat.match(line)
    if not m or not (t0<=m.group(1)<=t1): continue
    end=ms(m.group(1),m.group(2)); tot=float(m.group(4))*1000
    if m.group(5)=='GET' and '/sync' in m.group(6) and 'carol' in m.group(3): S.append(end)
    elif m.group(5)=='PUT' and '/send/m.room.message/' in m.group(6):
        (G if '_xmpp_' in m.group(3) else D).append((end-tot,end))
G.sort();D.sort();S.sort()
def before(lst,t):
    i=bisect.bisect_right(lst,t); return lst[i-1] if i else None
rows=[]
for s in ev.get('S-put',[]) if ev.get('D-deliver') else []:
    d=before(ev['D-deliver'],s); i=before(ev['I-accepted'],d) if d else None; h=before(ev['H-handler'],i) if i else None; r=before(ev['R-read'],h) if h else None
    gs=[g for g in G if s-1<=g[0]<=s+30]
    if not gs or None in (d,i,h,r): continue
    g=gs[0]
    e=[x for x in ev['E-putdone'] if x>=g[1]-1][:1]
    sy=[x for x in S if x>=g[1]-3][:1]
    rows.append(dict(read_to_handler=h-r, handler_to_accepted=i-h, accepted_to_deliver=d-i,
                     deliver_to_put=s-d, put_to_synapse=g[0]-s, synapse_put=g[1]-g[0], synapse_to_putdone=(e[0]-g[1]) if e else None,
                     putdone_to_sync=(sy[0]-g[1]) if sy else None))
def pc(a,p): a=sorted(x for x in a if x is not None); return a[min(len(a)-1,int(p*len(a)))] if a else float('nan')
print(f"n={len(rows)} traced messages (ms)  p10 / p50 / p90")
for k in (rows[0] if rows else []):
    v=[r[k] for r in rows]; print(f"  {k:22s} {pc(v,.1):6.1f} {pc(v,.5):6.1f} {pc(v,.9):6.1f}")
bd=[];dd=[]
for (s0,e) in D:
    sy=[x for x in S if x>=e-3][:1]
    if sy: dd.append(sy[0]-e)
gd=[]
for (s0,e) in G:
    sy=[x for x in S if x>=e-3][:1]
    if sy: gd.append(sy[0]-e)
print(f"  ghost ({len(G)} PUTs): PUT in Synapse p50 {pc([e-s for s,e in G],.5):.1f}, PUT response -> carol's /sync p50 {pc(gd,.5):.1f}")
print(f"  baseline ({len(D)} PUTs): dave's PUT in Synapse p50 {pc([e-s for s,e in D],.5):.1f}, PUT response -> carol's /sync p50 {pc(dd,.5):.1f}")
