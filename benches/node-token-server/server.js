// A token server as LiveKit's example token server does it: express, livekit-server-sdk,
// POST /createToken -> 201 {server_url, participant_token}. The peer of benches/gateway.sh.
const express = require('express');
const { AccessToken } = require('livekit-server-sdk');

const app = express();
app.use(express.json());

app.post('/createToken', async (req, res) => {
  const body = req.body || {};
  const roomName = body.room_name ?? body.roomName;
  const identity = body.participant_identity ?? body.participant_name ?? body.participantName;
  if (!roomName || !identity) {
    return res.status(400).json({ error: 'room_name and participant_identity are required' });
  }
  const at = new AccessToken(process.env.LIVEKIT_API_KEY, process.env.LIVEKIT_API_SECRET, {
    identity,
    name: body.participant_name,
    metadata: body.participant_metadata,
    attributes: body.participant_attributes,
    ttl: '6h',
  });
  at.addGrant({ room: roomName, roomJoin: true, canPublish: true, canSubscribe: true, canPublishData: true });
  res.status(201).json({ server_url: process.env.LIVEKIT_URL, participant_token: await at.toJwt() });
});

const port = Number(process.env.PORT || 3000);
app.listen(port, '127.0.0.1', () => console.log(`node token server on 127.0.0.1:${port}`));
