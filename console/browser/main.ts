/**
 * The console's browser code: each page works without it; this adds copying, showing a secret
 * on request, the token workbench without a reload and the live decision log. Module scripts run
 * once the document is parsed.
 */
import { initDecisionLog } from './decisions.js';
import { revealScriptedControls } from './dom.js';
import { initClientSecrets, initCurlLines } from './secrets.js';
import { initWorkbench } from './workbench.js';

revealScriptedControls();
initClientSecrets();
initCurlLines();
initWorkbench();
initDecisionLog();
