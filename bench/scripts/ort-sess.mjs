// Ad-hoc ORT measurement used for docs/performance.md (run from the repo root).
import ort from 'onnxruntime-node';

// onnxruntime's telemetry off before the first session (electron/worker/no-telemetry.ts says why).
process.env.ORT_DISABLE_TELEMETRY = '1';
const model = process.argv[2]; const [w,h]=(process.argv[3]??'1920x1080').split('x').map(Number);
const opts = JSON.parse(process.argv[4] ?? '{}'); const runs=Number(process.argv[5]??3);
const sess = await ort.InferenceSession.create(model,{executionProviders:['cpu'],graphOptimizationLevel:'all',intraOpNumThreads:2,interOpNumThreads:1,executionMode:'sequential',enableCpuMemArena:false,enableMemPattern:false,...opts});
const feeds={input:new ort.Tensor('float32',new Float32Array(3*w*h).map((_, i)=>(i*7919)%255),[1,3,h,w])};
if (sess.inputNames.includes('style')) { const S=Number(process.env.STYLES ?? 16); feeds.style=new ort.Tensor('float32',Float32Array.from({length:S},(_, i)=>i===0?1:0),[1,S]); }
await sess.run(feeds);
const res=[];
for(let i=0;i<runs;i++){const c0=process.cpuUsage(); const t0=performance.now(); await sess.run(feeds); const c=process.cpuUsage(c0); res.push({wall:Math.round(performance.now()-t0), user:Math.round(c.user/1000), sys:Math.round(c.system/1000)});}
console.log(JSON.stringify({opts, env: process.env.MALLOC_MMAP_THRESHOLD_??null, res, maxRssMB: Math.round(process.resourceUsage().maxRSS/1024)}));
