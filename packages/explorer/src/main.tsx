import 'uplot/dist/uPlot.min.css'
import './style.css'
import { render } from 'preact'
import { App } from './app.tsx'
import { LiveNode } from './live.ts'
import { HeadStream, nodeUrls, RpcClient } from './rpc.ts'

const urls = nodeUrls(window.location)
const live = new LiveNode(new RpcClient(urls.http), new HeadStream(urls.ws))
live.start()
const root = document.getElementById('app')
if (root !== null) render(<App live={live} />, root)
