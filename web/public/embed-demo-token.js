// The host page's own sign-in stands behind this function; the demo reads #token=<jwt>.
window.hostToken = async () => new URLSearchParams(location.hash.slice(1)).get("token");
