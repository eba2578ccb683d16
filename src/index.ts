import { hello } from './smoke.js';
console.log(hello());
