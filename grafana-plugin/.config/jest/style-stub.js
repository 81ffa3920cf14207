// Stylesheets imported by Grafana's components carry no behaviour under jsdom.
module.exports = {};
