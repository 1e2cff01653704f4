// Ad-hoc ORT measurement used for docs/performance.md (run from the repo root).
import ort from 'onnxruntime-node';
import fs from 'node:fs';

// onnxruntime's telemetry off before the first session (electron/worker/no-telemetry.ts says why).
process.env.ORT_DISABLE_TELEMETRY = '1';

const model = process.argv[2]; const [w,h]=(process.argv[3]??'1280x720').split('x').map(Number);
const sess = await ort.InferenceSession.create(model,{executionProviders:['cpu'],graphOptimizationLevel:'all',intraOpNumThreads:2,enableProfiling:true,profileFilePrefix:'/tmp/ortprof',enableCpuMemArena:true,enableMemPattern:true});
const feeds={input:new ort.Tensor('float32',new Float32Array(3*w*h).fill(100),[1,3,h,w])};
if (sess.inputNames.includes('style')) { const S=Number(process.env.STYLES ?? 16); feeds.style=new ort.Tensor('float32',Float32Array.from({length:S},(_, i)=>i===0?1:0),[1,S]); }
for(let i=0;i<2;i++) await sess.run(feeds);
sess.endProfiling(); await new Promise(r=>setTimeout(r,300)); const f='/tmp/'+fs.readdirSync('/tmp').filter(x=>x.startsWith('ortprof')).sort().pop();
const ev = JSON.parse(fs.readFileSync(f,'utf8')).filter(e=>e.cat==='Node' && e.name.endsWith('_kernel_time'));
const byOp={}; let tot=0; for(const e of ev){const op=e.args.op_name; byOp[op]=(byOp[op]??0)+e.dur; tot+=e.dur;}
console.log('total ms (2 runs)', tot/1000|0); for (const [k,v] of Object.entries(byOp).sort((a,b)=>b[1]-a[1])) console.log(k.padEnd(24), (v/1000|0)+' ms', (100*v/tot).toFixed(1)+'%');
