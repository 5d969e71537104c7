// The embeddable components: one script tag defines them all.
//   <script type="module" src="https://<console>/embed.js"></script>
//   <accolade-achievements api-base="https://<api>" token-provider="myGetToken"></accolade-achievements>
export { AccoladeAchievements } from "./components/accolade-achievements.js";
export { AccoladeLeaderboard } from "./components/accolade-leaderboard.js";
export { AccoladeInbox } from "./components/accolade-inbox.js";
export { AccoladeBadge } from "./components/accolade-badge.js";
export { AccoladeApi, ApiError } from "./api.js";
