// Extends the scaffolded setup in .config/; `npm test` at the repository root runs this project too.
module.exports = {
  ...require('./.config/jest.config'),
  displayName: 'grafana-plugin',
};
